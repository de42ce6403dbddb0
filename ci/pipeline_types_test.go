package ci_test

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// pipeline is the part of a Concourse pipeline's schema this project uses.
type pipeline struct {
	Resources []struct {
		Name, Type, Icon string
		Source           map[string]any
	}
	Jobs []struct {
		Name string
		Plan []step
	}
}

type step struct {
	Get, Put, Task      string
	Resource, Image     string
	File                string
	Trigger, Privileged bool
	Passed              []string
	Inputs              []string
	Params              map[string]any
	InputMapping        map[string]string `yaml:"input_mapping"`
	OutputMapping       map[string]string `yaml:"output_mapping"`
	InParallel          parallel          `yaml:"in_parallel"`
	Do                  []step
}

// parallel is in_parallel: a list of steps, or {steps: [...]}.
type parallel []step

func (p *parallel) UnmarshalYAML(node *yaml.Node) error {
	switch node.Kind {
	case yaml.SequenceNode:
		return node.Decode((*[]step)(p))
	case yaml.MappingNode:
		var withSteps struct{ Steps []step }
		if err := node.Decode(&withSteps); err != nil {
			return err
		}
		*p = withSteps.Steps
		return nil
	}
	return fmt.Errorf("line %d: in_parallel is neither a list nor a map", node.Line)
}

// task is a task file.
type task struct {
	Platform string
	Inputs   []struct{ Name, Path string }
	Outputs  []struct{ Name, Path string }
	Caches   []struct{ Path string }
	Params   map[string]any
	Run      struct {
		Path string
		Args []string
	}
}
