package resource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/history"
)

// CheckRequest is what Concourse sends to check: no version on the first check ever.
type CheckRequest struct {
	Source  Source   `json:"source"`
	Version *Version `json:"version"`
}

// Check prints the versions that went live: on the first check the current one only, later
// the given one (while it exists) and every newer one, oldest first; [] without the app.
func Check(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	var req CheckRequest
	if err := decodeStrict(stdin, &req); err != nil {
		return err
	}
	if err := req.Source.validateForReading(); err != nil {
		return err
	}
	warnInsecure(stderr, req.Source)
	f, err := connect(ctx, req.Source)
	if err != nil {
		return scrub(nameField(err), req.Source.Secrets(), nil)
	}
	releases, err := history.Releases(ctx, f.CC, req.Source.Organization, req.Source.Space, req.Source.AppName)
	if err != nil {
		return scrub(nameField(err), req.Source.Secrets(), nil)
	}
	return json.NewEncoder(stdout).Encode(since(versionsOf(releases), req.Version))
}

func versionsOf(releases []history.Release) []Version {
	out := make([]Version, 0, len(releases))
	for _, r := range releases {
		out = append(out, Version{AppGUID: r.AppGUID, RevisionGUID: r.RevisionGUID})
	}
	return out
}

// since applies Concourse's rules to the full history.
func since(all []Version, from *Version) []Version {
	if len(all) == 0 {
		return []Version{}
	}
	if from != nil {
		for i, v := range all {
			if v == *from {
				return all[i:]
			}
		}
	}
	return all[len(all)-1:] // first check, or the given version is gone: the current one
}

// validateForReading checks the source for check and in, which need the app's name.
func (s Source) validateForReading() error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.AppName == "" {
		return errors.New("source.app_name: required for check and get (the app whose releases are tracked)")
	}
	return nil
}

var errNoVersion = fmt.Errorf("version: required")
