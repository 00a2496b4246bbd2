// Package tenant holds the verbs that create a tenant and remember who uses it.
package tenant
