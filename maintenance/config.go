package maintenance

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

// The environment the resource sets on the responder app.
const (
	EnvStatus     = "MAINTENANCE_STATUS"
	EnvRetryAfter = "MAINTENANCE_RETRY_AFTER"
	EnvMessage    = "MAINTENANCE_MESSAGE"
	EnvPageFile   = "MAINTENANCE_PAGE_FILE" // relative to the app folder
	EnvJSONFile   = "MAINTENANCE_JSON_FILE"
)

// FromEnv reads the configuration; dir is the app folder that page files are relative to.
func FromEnv(getenv func(string) string, dir string) (Config, error) {
	var c Config
	var err error
	if c.Status, err = intEnv(getenv, EnvStatus); err != nil {
		return c, err
	}
	if c.Status != 0 && (c.Status < 200 || c.Status > 599 || http.StatusText(c.Status) == "") {
		return c, fmt.Errorf("%s: %d is not an HTTP status", EnvStatus, c.Status)
	}
	if c.RetryAfter, err = intEnv(getenv, EnvRetryAfter); err != nil || c.RetryAfter < 0 {
		return c, fmt.Errorf("%s: want seconds, got %q", EnvRetryAfter, getenv(EnvRetryAfter))
	}
	c.Message = getenv(EnvMessage)
	if c.Page, err = fileEnv(getenv, EnvPageFile, dir); err != nil {
		return c, err
	}
	c.JSON, err = fileEnv(getenv, EnvJSONFile, dir)
	return c, err
}

func intEnv(getenv func(string) string, name string) (int, error) {
	v := getenv(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a number", name, v)
	}
	return n, nil
}

func fileEnv(getenv func(string) string, name, dir string) ([]byte, error) {
	v := getenv(name)
	if v == "" {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.Clean("/"+v)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}
