package cfsim

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// dockerStagingFailed is the build error CC shows when the docker lifecycle fails.
const dockerStagingFailed = "StagingError - Staging error: staging failed"

// finishDockerStaging ends a docker staging task: the image's metadata from its mapped
// folder gives a droplet with a web process type; an unknown image fails as the docker
// lifecycle's builder does when the registry has no such manifest.
func (s *Sim) finishDockerStaging(c container, b *build, ref dockerRef) {
	dir, known := s.dockerImageDir(ref.image)
	command, hasCommand := "", false
	if known {
		command, hasCommand = dockerStartCommand(dir)
	}
	switch {
	case !known:
		repo, tag := splitImageRef(ref.image)
		c.output("ERR", "Failed getting docker image by tag: manifest unknown: manifest unknown",
			"Staging process failed: Exit trace for group:",
			fmt.Sprintf("builder exited with error: failed to fetch metadata from [%s] with tag [%s] and "+
				"insecure registries [] due to manifest unknown: manifest unknown", repo, tag))
	case !hasCommand:
		c.output("ERR", "Staging process failed: the image's folder "+dir+" has no Procfile web line "+
			"and not exactly one executable, so it has no start command")
	default:
		c.output("OUT", "Staging process finished")
	}
	ok := known && hasCommand
	if ok {
		c.exited(0)
		c.output("OUT", "Staging Complete")
	} else {
		c.exited(2)
	}
	c.stopping()
	c.destroyed()
	s.recordDockerBuild(b, ref, dir, command, ok)
}

// recordDockerBuild ends the build: FAILED, or STAGED with a droplet that has no bits.
func (s *Sim) recordDockerBuild(b *build, ref dockerRef, dir, command string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b.updated = time.Now()
	if s.apps[b.appGUID] == nil {
		return
	}
	if !ok {
		b.state, b.err = "FAILED", dockerStagingFailed
		return
	}
	meta, _ := json.Marshal(map[string]any{"cmd": strings.Fields(command)})
	d := &droplet{base: s.nextBase(), appGUID: b.appGUID, packageGUID: b.packageGUID, state: "STAGED",
		processTypes: map[string]string{"web": command}, meta: newMetadata(),
		docker: &dockerDroplet{image: ref.image, executionMetadata: string(meta), dir: dir}}
	s.droplets[d.guid] = d
	b.state, b.dropletGUID = "STAGED", d.guid
	s.pruneDroplets(b.appGUID)
}

// runDir is the folder a droplet's processes run in: the unpacked droplet, or a docker
// droplet's mapped image folder. Callers hold s.mu.
func (s *Sim) runDir(dropletGUID string) string {
	if d := s.droplets[dropletGUID]; d != nil && d.docker != nil {
		return d.docker.dir
	}
	return s.dropletDir(dropletGUID)
}
