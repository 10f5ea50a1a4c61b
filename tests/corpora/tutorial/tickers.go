// _Tickers_ are for when you want to do something
// repeatedly at regular intervals. Here we count ticks
// and stop the ticker after the fourth one.
package main

import (
	"fmt"
	"time"
)

func main() {
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()

	n := 0
	for range ticker.C {
		n++
		fmt.Println("tick", n)
		if n == 4 {
			break
		}
	}
	fmt.Println("Ticker stopped")
}
