package qa

import "time"

// timeNow stamps publication; a variable so tests may fix it.
var timeNow = time.Now
