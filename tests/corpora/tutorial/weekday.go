// Printing what day of the week it is today, and how many
// days remain until the weekend.
package main

import (
	"fmt"
	"time"
)

func main() {
	today := time.Now().Weekday()
	fmt.Println("Today is", today)

	switch today {
	case time.Saturday, time.Sunday:
		fmt.Println("It's the weekend!")
	default:
		fmt.Println("Days until Saturday:", int(time.Saturday-today))
	}
}
