// Go offers extensive support for times and durations.
// The current time will of course be different every
// time you run this.
package main

import (
	"fmt"
	"time"
)

func main() {
	p := fmt.Println

	now := time.Now()
	p(now)

	then := time.Date(2009, 11, 17, 20, 34, 58, 651387237, time.UTC)
	p(then)
	p(then.Year(), then.Month(), then.Day())
	p(then.Weekday())

	p(then.Before(now))
	p(now.Format(time.RFC3339))

	diff := now.Sub(then)
	p(diff.Hours() > 100000)
}
