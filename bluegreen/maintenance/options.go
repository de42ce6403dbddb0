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

// State is what the switch leaves the app in, for the metadata.
const (
	On  = "on"
	Off = "off"
)
