// Measuring how long something takes with time.Since.
// The exact duration differs from run to run.
package main

import (
	"fmt"
	"time"
)

func work() int {
	sum := 0
	for i := range 5_000_000 {
		sum += i % 7
	}
	time.Sleep(20 * time.Millisecond)
	return sum
}

func main() {
	start := time.Now()
	result := work()
	elapsed := time.Since(start)

	fmt.Println("result:", result)
	fmt.Println("took", elapsed)
	fmt.Printf("took %.1fms (rounded)\n", float64(elapsed.Microseconds())/1000)
}
