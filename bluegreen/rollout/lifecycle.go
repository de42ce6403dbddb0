package rollout

import (
	"fmt"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// sameLifecycle refuses, before anything changes, new bits of another lifecycle than the app
// runs (a docker image for a buildpack app, or bits for a docker app): CC never changes an app's
// lifecycle type, and a deployment keeps the app. Blue-green makes a new app, so it can switch
// (docs/platform/tasks-docker-sidecars-events.md#deploying-a-new-image-to-a-docker-app).
func (r *roller) sameLifecycle() error {
	if r.Live == nil || r.o.Action != bluegreen.ActionDeploy {
		return nil
	}
	want := platform.LifecycleBuildpack
	if r.o.Bits.Docker != nil {
		want = platform.LifecycleDocker
	}
	if r.Live.Lifecycle == want {
		return nil
	}
	return fmt.Errorf("params.strategy: app %s runs the %s lifecycle and the new version is of the %s lifecycle; "+
		"CC never changes an app's lifecycle type, and a %s deployment keeps the app: deploy this version with strategy bluegreen, which makes a new app",
		r.o.App, r.Live.Lifecycle, want, r.o.Strategy)
}
