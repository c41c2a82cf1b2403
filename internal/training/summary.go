package training

import "time"

// Summary is a provider's training record for the QA worklist.
type Summary struct {
	AttendedLast12Months int
	UpcomingBookings     int
	LastAttendedOn       *time.Time
}
