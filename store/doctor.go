package store

// Problem is one thing doctor found wrong with a tenant.
type Problem struct {
	Check  string `json:"check"`
	Detail string `json:"detail"`
}
