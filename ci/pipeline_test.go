package ci_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"
)

// repoInput is the name the pipeline gives the project's own checkout.
const repoInput = "repo"

var _ = Describe("ci/pipeline.yml", func() {
	var p pipeline
	BeforeEach(func() {
		p = pipeline{}
		decodeStrict("pipeline.yml", &p)
		Expect(p.Jobs).NotTo(BeEmpty())
	})

	It("gets, puts and builds only declared resources, and uses every one", func() {
		declared, used := map[string]bool{}, map[string]bool{}
		for _, r := range p.Resources {
			Expect(declared).NotTo(HaveKey(r.Name), "resource %s declared twice", r.Name)
			declared[r.Name] = true
		}
		for _, j := range p.Jobs {
			for _, s := range flatten(j.Plan) {
				if name := resourceOf(s); name != "" {
					Expect(declared).To(HaveKey(name), "job %s uses undeclared resource %s", j.Name, name)
					used[name] = true
				}
			}
		}
		Expect(used).To(Equal(declared))
	})

	It("passes only jobs that exist and that get the same resource", func() {
		gets := map[string]map[string]bool{}
		for _, j := range p.Jobs {
			gets[j.Name] = map[string]bool{}
			for _, s := range flatten(j.Plan) {
				if s.Get != "" {
					gets[j.Name][resourceOf(s)] = true
				}
			}
		}
		for _, j := range p.Jobs {
			for _, s := range flatten(j.Plan) {
				for _, upstream := range s.Passed {
					Expect(gets).To(HaveKey(upstream), "job %s: passed: %s is no job", j.Name, upstream)
					Expect(gets[upstream]).To(HaveKey(resourceOf(s)), "job %s: %s never gets %s", j.Name, upstream, resourceOf(s))
				}
			}
		}
	})

	It("runs task files that exist, with every input, image and script in place", func() {
		referenced := map[string]bool{}
		for _, j := range p.Jobs {
			artifacts := map[string]bool{}
			for _, s := range flatten(j.Plan) {
				switch {
				case s.Get != "":
					artifacts[s.Get] = true
				case s.Task != "":
					where := "job " + j.Name + " task " + s.Task
					Expect(s.File).To(HavePrefix(repoInput+"/"), "%s: task file outside the repo", where)
					Expect(artifacts).To(HaveKey(repoInput), "%s runs before %s is fetched", where, repoInput)
					if s.Image != "" {
						Expect(artifacts).To(HaveKey(s.Image), "%s: image %s is no artifact of the job", where, s.Image)
					}
					rel := strings.TrimPrefix(s.File, repoInput+"/")
					referenced[rel] = true
					for _, out := range checkTask(where, rel, s, artifacts) {
						artifacts[out] = true
					}
				case s.Put != "":
					for _, in := range s.Inputs {
						Expect(artifacts).To(HaveKey(in), "job %s put %s: input %s is no artifact", j.Name, s.Put, in)
					}
					for key, v := range s.Params {
						if path, ok := v.(string); ok && strings.Contains(path, "/") {
							Expect(artifacts).To(HaveKey(strings.Split(path, "/")[0]),
								"job %s put %s: params.%s is outside the job's artifacts", j.Name, s.Put, key)
						}
					}
				}
			}
		}
		files, err := filepath.Glob("tasks/*.yml")
		Expect(err).NotTo(HaveOccurred())
		for _, f := range files {
			Expect(referenced).To(HaveKey("ci/"+f), "%s is used by no job", f)
		}
	})

	It("builds Dockerfile targets that exist", func() {
		dockerfile, err := os.ReadFile("../Dockerfile")
		Expect(err).NotTo(HaveOccurred())
		stages := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?mi)^FROM\s+\S+\s+AS\s+(\S+)`).FindAllStringSubmatch(string(dockerfile), -1) {
			stages[m[1]] = true
		}
		files, err := filepath.Glob("tasks/*.yml")
		Expect(err).NotTo(HaveOccurred())
		for _, f := range files {
			var t task
			decodeStrict(f, &t)
			if target, ok := t.Params["TARGET"].(string); ok {
				Expect(stages).To(HaveKey(target), "%s builds target %s, which the Dockerfile lacks", f, target)
			}
			if dockerfilePath, ok := t.Params["DOCKERFILE"].(string); ok {
				Expect(dockerfilePath).To(Equal(repoInput+"/Dockerfile"), f)
			}
		}
		Expect(stages).To(HaveKey("tests"))
	})
})

// checkTask checks a task file against the step that runs it and returns the artifacts it
// leaves for the steps after it.
func checkTask(where, rel string, s step, artifacts map[string]bool) []string {
	var t task
	decodeStrict(filepath.Join("..", rel), &t)
	Expect(t.Platform).To(Equal("linux"), where)
	for _, in := range t.Inputs {
		name := in.Name
		if mapped, ok := s.InputMapping[name]; ok {
			name = mapped
		}
		Expect(artifacts).To(HaveKey(name), "%s: input %s is no artifact of the job", where, name)
	}
	if script, ok := strings.CutPrefix(t.Run.Path, repoInput+"/"); ok {
		info, err := os.Stat(filepath.Join("..", script))
		Expect(err).NotTo(HaveOccurred(), "%s: run.path %s", where, t.Run.Path)
		Expect(info.Mode().Perm()&0o111).NotTo(BeZero(), "%s: %s is not executable", where, t.Run.Path)
	} else {
		Expect(t.Run.Path).NotTo(ContainSubstring("/"), "%s: run.path %s is in no input", where, t.Run.Path)
	}
	var outs []string
	for _, o := range t.Outputs {
		name := o.Name
		if mapped, ok := s.OutputMapping[name]; ok {
			name = mapped
		}
		outs = append(outs, name)
	}
	return outs
}

// flatten lists a plan's steps in order, nested ones included.
func flatten(plan []step) []step {
	var out []step
	for _, s := range plan {
		out = append(out, s)
		out = append(out, flatten(s.InParallel)...)
		out = append(out, flatten(s.Do)...)
	}
	return out
}

// resourceOf is the resource a get or put step uses.
func resourceOf(s step) string {
	switch {
	case s.Resource != "":
		return s.Resource
	case s.Get != "":
		return s.Get
	}
	return s.Put
}

// decodeStrict reads a YAML file, failing on any key the types above do not know.
func decodeStrict(name string, into any) {
	f, err := os.Open(name)
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	Expect(dec.Decode(into)).To(Succeed(), name)
}
