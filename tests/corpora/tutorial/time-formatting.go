// Go supports time formatting and parsing via
// pattern-based layouts. This example uses a fixed time
// so its output is the same on every run.
package main

import (
	"fmt"
	"time"
)

func main() {
	t := time.Date(2024, time.March, 14, 15, 9, 26, 0, time.UTC)

	fmt.Println(t.Format(time.RFC3339))
	fmt.Println(t.Format("3:04PM"))
	fmt.Println(t.Format("Mon Jan _2 15:04:05 2006"))
	fmt.Println(t.Format("2006-01-02"))
	fmt.Println(t.Weekday())

	t2, err := time.Parse("2006-01-02 15:04", "2024-07-04 09:30")
	fmt.Println(t2, err)

	_, err = time.Parse(time.RFC3339, "8:41PM")
	fmt.Println(err)

	d := 90 * time.Minute
	fmt.Println(d, d.Hours())
}
