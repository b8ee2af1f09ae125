package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/convrs/gateway/convrs"
)

// ErrorPresenter maps domain errors to GraphQL errors with extensions.code (and extensions.field for EINVALID).
// Internal errors are logged and shown as "Internal error." only.
func ErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var appErr *convrs.Error
		var parsed *gqlerror.Error
		switch {
		case errors.As(err, &appErr):
			gqlErr.Message = appErr.Message
			gqlErr.Extensions = map[string]any{"code": appErr.Code}
			for k, v := range appErr.Extensions {
				gqlErr.Extensions[k] = v
			}
			if appErr.Field != "" {
				gqlErr.Extensions["field"] = appErr.Field
			}
		case errors.As(err, &parsed) && errors.Unwrap(parsed) == nil:
			// Validation and parse errors of the query itself: gqlgen's own message is meant for clients.
			if gqlErr.Extensions == nil {
				gqlErr.Extensions = map[string]any{}
			}
			if _, ok := gqlErr.Extensions["code"]; !ok {
				gqlErr.Extensions["code"] = convrs.EINVALID
			}
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			// The client went away (navigated on, closed the tab): not a fault of ours.
			logger.DebugContext(ctx, "graphql: request cancelled by the client", "path", gqlErr.Path.String())
			gqlErr.Message = "The request was cancelled."
			gqlErr.Extensions = map[string]any{"code": convrs.EUNAVAILABLE}
		case convrs.Unreachable(err):
			// Our database or Redis is down or restarting: passing, and the person can act on it (try again).
			logger.WarnContext(ctx, "graphql: a dependency is unreachable", "error", err.Error(), "path", gqlErr.Path.String())
			gqlErr.Message = convrs.UnreachableMessage
			gqlErr.Extensions = map[string]any{"code": convrs.EUNAVAILABLE}
		default:
			logger.ErrorContext(ctx, "graphql: internal error", "error", err.Error(), "path", gqlErr.Path.String())
			gqlErr.Message = convrs.ErrorMessage(err)
			gqlErr.Extensions = map[string]any{"code": convrs.EINTERNAL}
		}
		return gqlErr
	}
}

// Recover turns a panic in a resolver into an internal error and logs it; the client learns nothing more.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "graphql: panic", "panic", fmt.Sprint(p))
		return errors.New("panic in resolver")
	}
}

// SplitFieldErrors is a field middleware that reports each error of a resolver's convrs.FieldErrors as a
// GraphQL error of its own (each with extensions.field), so a form marks every invalid field at once.
func SplitFieldErrors(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	var many convrs.FieldErrors
	if err == nil || !errors.As(err, &many) || len(many) < 2 {
		return res, err
	}
	for _, e := range many[:len(many)-1] {
		graphql.AddError(ctx, e)
	}
	return res, many[len(many)-1]
}
