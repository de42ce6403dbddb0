package maintenance

import (
	"io"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

// Options switches an app's routes to the maintenance responder (On) or back.
type Options struct {
	bluegreen.Target
	On        bool
	Responder string            // the responder app's name
	Env       map[string]string // the responder's configuration
	Bits      func(io.Writer) error
	StopApp   bool // stop the app once no router sends it traffic (on); start it again (off)
	Timeouts  bluegreen.Timeouts
}

// The switch's states, kept in the app's maintenance annotation (its journal): a switch that
// was stopped halfway says so, and the next one, either way, converges from there.
const (
	On           = "on"
	Off          = "off"
	SwitchingOn  = "switching-on"
	SwitchingOff = "switching-off"
)
