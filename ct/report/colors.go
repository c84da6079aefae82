package report

import "image/color"

// plotColors are distinguishable on white and for common color blindness
// (Okabe-Ito).
var plotColors = []color.Color{
	color.RGBA{0, 114, 178, 255},
	color.RGBA{213, 94, 0, 255},
	color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255},
	color.RGBA{230, 159, 0, 255},
}
