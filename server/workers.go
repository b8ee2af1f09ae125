package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"

	"golang.org/x/sync/errgroup"
)

// A worker is a part of the app that runs until its context ends. Returning an error other than its context's
// is a failure, and so is a panic: either stops the app.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// start runs w, turning a panic into an error and an end with its context into nil; a failure is logged with
// the worker's name and returned prefixed with it.
func (w worker) start(ctx context.Context, logger *slog.Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
		if err == nil || (ctx.Err() != nil && errors.Is(err, ctx.Err())) {
			err = nil
			return
		}
		logger.ErrorContext(ctx, "worker failed; stopping the gateway", "worker", w.name, "error", err)
		err = fmt.Errorf("%s: %w", w.name, err)
	}()
	return w.run(ctx)
}

// runStages runs the workers of every stage at once until ctx ends or one of them fails, then stops the stages
// in order: a stage's context ends once every worker of the stage before it has returned, so a later stage
// holds what an earlier one still uses. It returns when every worker has, with the first failure.
func runStages(ctx context.Context, logger *slog.Logger, stages ...[]worker) error {
	g, gctx := errgroup.WithContext(ctx)
	stop := gctx.Done()
	for _, stage := range stages {
		// Not derived from gctx, which ends for every stage at once; it keeps ctx's values.
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		var running sync.WaitGroup
		names := make([]string, len(stage))
		for i, w := range stage {
			names[i] = w.name
			running.Add(1)
			g.Go(func() error {
				defer running.Done()
				return w.start(sctx, logger)
			})
		}
		previous, stopped := stop, make(chan struct{})
		g.Go(func() error {
			<-previous
			if len(names) > 0 {
				logger.InfoContext(ctx, "stopping", "workers", names)
			}
			cancel()
			running.Wait()
			close(stopped)
			return nil
		})
		stop = stopped
	}
	return g.Wait()
}

// serving is a worker serving srv on ln; when its context ends, ln stops accepting and the requests in flight
// get shutdownGrace to finish. The requests' context (BaseContext) is the worker's, so long-lived ones
// (websocket subscriptions) end as the shutdown begins.
func serving(srv *http.Server, ln net.Listener) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		srv.BaseContext = func(net.Listener) context.Context { return ctx }
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		select {
		case err := <-served:
			return err
		case <-ctx.Done():
		}
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		defer cancel()
		err := srv.Shutdown(shutdownCtx)
		<-served // http.ErrServerClosed, at once
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("shutdown: %w", err)
		}
		return nil
	}
}
