package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// foundationKind is one kind of simulated foundation the strategies are measured on: how many
// routers, the range their lags are drawn from, and how often CC's deployment updater ticks.
// Each kind shows a different way the platform's timing can hurt a deploy.
type foundationKind struct {
	Name           string // for --foundations and the pictures' file names
	Title          string // for the report
	Routers        int
	LagMin, LagMax time.Duration // each router's registration and removal lags, drawn per round
	Updater        time.Duration // CC's deployment updater tick
	// Baselines: the peers' blue-green tools (naive, venerable, bgd) run here too. They only
	// need one foundation to show what they do; the others would lengthen the run for nothing.
	Baselines bool
	// stream picks the kind's own sequence of lag draws from the seed; the default keeps 7,
	// the stream of the runs before there were several kinds, so a seed draws the same lags.
	stream uint64
}

// foundationKinds are the kinds the bench knows, in the order they run and are reported.
func foundationKinds() []foundationKind {
	return []foundationKind{
		{Name: "default", Title: "default", Routers: 3, LagMin: 200 * time.Millisecond, LagMax: 2500 * time.Millisecond,
			Updater: 5 * time.Second, Baselines: true, stream: 7},
		// The updater outpaces the routers: CAPI stops old instances before some router knows
		// a new one (issue 17's dropped requests).
		{Name: "fast", Title: "fast updater", Routers: 3, LagMin: 300 * time.Millisecond, LagMax: 2 * time.Second,
			Updater: 500 * time.Millisecond, stream: 8},
		// More routers and longer lags: more places a proof has to reach, later.
		{Name: "wide", Title: "wide", Routers: 4, LagMin: 300 * time.Millisecond, LagMax: 3 * time.Second,
			Updater: 5 * time.Second, stream: 9},
	}
}

// parseFoundations reads --foundations: comma-separated kind names, run in the bench's order.
func parseFoundations(list string) ([]foundationKind, error) {
	all := foundationKinds()
	if list == "" {
		return all, nil
	}
	names := strings.Split(list, ",")
	for _, n := range names {
		if !slices.ContainsFunc(all, func(k foundationKind) bool { return k.Name == strings.TrimSpace(n) }) {
			return nil, fmt.Errorf("--foundations: no foundation %q (there are default, fast, wide)", n)
		}
	}
	var out []foundationKind
	for _, k := range all {
		if slices.ContainsFunc(names, func(n string) bool { return strings.TrimSpace(n) == k.Name }) {
			out = append(out, k)
		}
	}
	return out, nil
}

// describe is the kind's settings in a few words, for the report.
func (k foundationKind) describe() string {
	return fmt.Sprintf("%d routers, lags %v–%v, updater every %v", k.Routers, k.LagMin, k.LagMax, k.Updater)
}

// drawLags picks every router's lags for every round once, so deploy i of each strategy on
// this kind of foundation meets the same routers: the strategies are compared on equal terms.
func (k foundationKind) drawLags(seed uint64, rounds int) [][]routerLag {
	rng := rand.New(rand.NewPCG(seed, k.stream))
	draw := func() time.Duration {
		return k.LagMin + time.Duration(rng.Int64N(int64(k.LagMax-k.LagMin)+1))
	}
	sets := make([][]routerLag, rounds)
	for i := range sets {
		sets[i] = make([]routerLag, k.Routers)
		for r := range sets[i] {
			sets[i][r] = routerLag{Registration: draw(), Removal: draw()}
		}
	}
	return sets
}
