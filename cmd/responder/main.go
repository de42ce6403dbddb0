// Command responder is the maintenance responder app (package maintenance) as the resource
// pushes it: it listens on $PORT until SIGTERM.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/maintenance"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "responder:", err)
		os.Exit(1)
	}
}

func run() error {
	dir, _ := os.Getwd()
	cfg, err := maintenance.FromEnv(os.Getenv, dir)
	if err != nil {
		return err
	}
	// BIND_HOST keeps it on loopback in the simulated foundation; on CF it listens everywhere.
	ln, err := net.Listen("tcp", net.JoinHostPort(os.Getenv("BIND_HOST"), os.Getenv("PORT")))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: maintenance.Handler(cfg), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Println("responder: serving maintenance answers on", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
