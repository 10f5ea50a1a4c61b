// _Timers_ represent a single event in the future. You
// tell the timer how long you want to wait, and it
// provides a channel that will be notified at that time.
package main

import (
	"fmt"
	"time"
)

func main() {
	timer1 := time.NewTimer(200 * time.Millisecond)
	<-timer1.C
	fmt.Println("Timer 1 fired")

	// Unlike time.Sleep, a timer can be cancelled before it fires.
	timer2 := time.NewTimer(time.Second)
	go func() {
		<-timer2.C
		fmt.Println("Timer 2 fired")
	}()
	stop2 := timer2.Stop()
	if stop2 {
		fmt.Println("Timer 2 stopped")
	}

	time.Sleep(1500 * time.Millisecond)
}
