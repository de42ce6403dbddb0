package platform

import "errors"

var (
	// ErrNameTaken is returned when an app name is already used in the space.
	ErrNameTaken = errors.New("app name taken")
	// ErrLogin marks a failed discovery or login.
	ErrLogin = errors.New("log in")
	// ErrNoOrg and ErrNoSpace say the org or space does not exist or cannot be seen.
	ErrNoOrg   = errors.New("not found or not visible to this user")
	ErrNoSpace = errors.New("not found or not visible to this user")
)
