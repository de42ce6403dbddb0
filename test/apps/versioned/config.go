package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"
)

// config is everything the app reads from its environment, checked up front so a bad value
// fails the start with a clear message instead of misbehaving later.
type config struct {
	bindHost      string
	port          string
	version       string
	crashAtStart  bool          // CRASH=start
	crashAfter    time.Duration // CRASH_AFTER; zero means never
	healthFail    bool          // HEALTH=fail
	status        int           // STATUS; the code every non-health path answers
	startDelay    time.Duration // START_DELAY
	instanceIndex string        // CF_INSTANCE_INDEX
	instanceGUID  string        // CF_INSTANCE_GUID
	errorPPM      int64         // ERROR_RATE in parts per million of the version requests
	latency       time.Duration // LATENCY, added to every version request
	processGUID   string        // process_id of VCAP_APPLICATION

	served *atomic.Int64 // version requests so far, shared by the handler's copies (newHandler)

	env map[string]string // the platform variables GET /env/NAME reveals
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		bindHost:      orDefault(getenv("BIND_HOST"), "127.0.0.1"),
		port:          getenv("PORT"),
		version:       orDefault(getenv("VERSION"), "unknown"),
		instanceIndex: getenv("CF_INSTANCE_INDEX"),
		instanceGUID:  getenv("CF_INSTANCE_GUID"),
		processGUID:   processGUIDOf(getenv("VCAP_APPLICATION")),
		env:           readExposedEnv(getenv),
	}
	errs := make([]error, 8) // errors.Join skips the nil ones
	errs[0] = checkPort(c.port)
	c.crashAtStart, errs[1] = parseSwitch("CRASH", getenv("CRASH"), "start")
	c.healthFail, errs[2] = parseSwitch("HEALTH", getenv("HEALTH"), "fail")
	c.status, errs[3] = parseStatus(getenv("STATUS"))
	c.crashAfter, errs[4] = parseDuration("CRASH_AFTER", getenv("CRASH_AFTER"), true)
	c.startDelay, errs[5] = parseDuration("START_DELAY", getenv("START_DELAY"), false)
	c.errorPPM, errs[6] = parseRate(getenv("ERROR_RATE"))
	c.latency, errs[7] = parseDuration("LATENCY", getenv("LATENCY"), false)
	return c, errors.Join(errs...)
}

func checkPort(port string) error {
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("PORT must be a port number from 1 to 65535, got %q", port)
	}
	return nil
}

// parseSwitch accepts an unset variable (off) or its one value (on), and nothing else.
func parseSwitch(name, v, on string) (bool, error) {
	switch v {
	case "":
		return false, nil
	case on:
		return true, nil
	}
	return false, fmt.Errorf("%s must be empty or %q, got %q", name, on, v)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func parseStatus(v string) (int, error) {
	if v == "" {
		return 200, nil
	}
	code, err := strconv.Atoi(v)
	if err != nil || code < 200 || code > 599 {
		return 0, fmt.Errorf("STATUS must be an HTTP status from 200 to 599, got %q", v)
	}
	return code, nil
}

// parseDuration reads a Go duration ("5s", "250ms"); an empty value means zero.
func parseDuration(name, v string, positive bool) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s must be a duration such as 5s, got %q: %w", name, v, err)
	case d < 0, positive && d == 0:
		return 0, fmt.Errorf("%s must be a positive duration, got %q", name, v)
	}
	return d, nil
}

// parseRate reads a fraction from 0 to 1 as parts per million, so which requests fail is
// counted in whole numbers: 0.05 fails exactly every 20th, with no float drift.
func parseRate(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || !(r >= 0 && r <= 1) {
		return 0, fmt.Errorf("ERROR_RATE must be a fraction from 0 to 1 (0.05 fails every 20th request), got %q", v)
	}
	return int64(math.Round(r * 1e6)), nil
}

// processGUIDOf reads process_id from VCAP_APPLICATION: the process the instance belongs to
// ("" when unset or unreadable, as outside Cloud Foundry).
func processGUIDOf(vcapApplication string) string {
	var v struct {
		ProcessID string `json:"process_id"`
	}
	_ = json.Unmarshal([]byte(vcapApplication), &v)
	return v.ProcessID
}
