package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// naiveDemo pushes naive (v1) and naive-v2 and cuts over the way blue-green scripts do.
func naiveDemo(ctx context.Context, info cfsim.Info, dir string) (*load, error) {
	fmt.Println("== a script-style cutover, for contrast ==")
	cf, err := cfpush.Login(info.APIURL, info.Username, info.Password)
	if err != nil {
		return nil, err
	}
	p, err := cfpush.NewPusher(ctx, cf, info.Space, info.Domain)
	if err != nil {
		return nil, err
	}
	zip, err := cfpush.BuildVersioned(".", dir)
	if err != nil {
		return nil, err
	}
	v1, _, err := p.Push(ctx, cfpush.App{Name: "naive", Version: "v1", Instances: 2}, zip, true)
	if err != nil {
		return nil, err
	}
	v2, _, err := p.Push(ctx, cfpush.App{Name: "naive-v2", Version: "v2", Instances: 2, NoRoute: true}, zip, true)
	if err != nil {
		return nil, err
	}
	host := "naive." + info.Domain
	if err := waitServing(info.RouterURLs, host, 20*time.Second); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := p.WaitRunning(wctx, v2.GUID, 0); err != nil {
		return nil, err
	}
	l := startLoad(info.LBURL, host, 6*time.Second)
	time.Sleep(time.Second)
	fmt.Println("map the route to v2, unmap v1, delete v1, trusting the Cloud Controller's answers")
	if err := naiveCutover(ctx, p, v1.GUID, v2.GUID, host); err != nil {
		return nil, err
	}
	time.Sleep(4 * time.Second) // while the routers catch up
	return l.wait(), nil
}

// waitServing waits until every router serves the host, so the load starts clean.
func waitServing(routers []string, host string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for _, r := range routers {
		for status, _ := request(r, host); status != http.StatusOK; status, _ = request(r, host) {
			if time.Now().After(deadline) {
				return fmt.Errorf("%s never served through %s", host, r)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// naiveCutover is what the blue-green scripts do: map, unmap, delete, trusting the 201,
// the 204 and the 202.
func naiveCutover(ctx context.Context, p *cfpush.Pusher, oldApp, newApp, host string) error {
	route, err := p.Route(ctx, strings.SplitN(host, ".", 2)[0])
	if err != nil {
		return err
	}
	if err := p.Map(ctx, route.GUID, newApp); err != nil {
		return err
	}
	if err := p.Unmap(ctx, route.GUID, oldApp); err != nil {
		return err
	}
	_, err = p.CF.Applications.Delete(ctx, oldApp)
	return err
}
