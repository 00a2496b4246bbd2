package store

import (
	"context"
	"time"
)

type ctxKey int

const (
	actorKey ctxKey = iota
	dryRunKey
	nowKey
	progressKey
	skipExistingKey
)

// WithSkipExisting returns a context in which import-users leaves alone the
// users the tenant already has (counted as skipped) instead of refusing
// their lines, so that a file can be imported again.
func WithSkipExisting(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipExistingKey, true)
}

// IsSkipExisting reports whether ctx asks import-users to skip known users.
func IsSkipExisting(ctx context.Context) bool {
	b, _ := ctx.Value(skipExistingKey).(bool)
	return b
}

// WithProgress returns a context whose long operations (export-users, the
// users of assign-license and unassign-license) tell fn how far they are:
// done of total, at most every few thousand rows.
func WithProgress(ctx context.Context, fn func(done, total int)) context.Context {
	return context.WithValue(ctx, progressKey, fn)
}

// ProgressFrom returns the progress function of ctx, or nil.
func ProgressFrom(ctx context.Context) func(done, total int) {
	fn, _ := ctx.Value(progressKey).(func(done, total int))
	return fn
}

// WithActor returns a context that runs operations as the user with this UPN.
func WithActor(ctx context.Context, upn string) context.Context {
	return context.WithValue(ctx, actorKey, upn)
}

// ActorFrom returns the UPN operations run as, or "" when there is no identity.
func ActorFrom(ctx context.Context) string {
	s, _ := ctx.Value(actorKey).(string)
	return s
}

// WithDryRun returns a context in which every change is rolled back at the
// end of its transaction, so a preview runs exactly the code a real run does.
func WithDryRun(ctx context.Context) context.Context {
	return context.WithValue(ctx, dryRunKey, true)
}

// IsDryRun reports whether changes made under ctx are rolled back.
func IsDryRun(ctx context.Context) bool {
	b, _ := ctx.Value(dryRunKey).(bool)
	return b
}

// WithNow fixes the time operations under ctx consider "now".
func WithNow(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, nowKey, t.UTC())
}

// Now returns the fixed time of ctx, or the wall clock.
func Now(ctx context.Context) time.Time {
	if t, ok := ctx.Value(nowKey).(time.Time); ok {
		return t
	}
	return time.Now().UTC().Truncate(time.Second)
}
