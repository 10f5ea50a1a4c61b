// The `runtime` package reports facts about the running
// program: the operating system, architecture, and how
// many goroutines exist.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	fmt.Println("os:", runtime.GOOS)
	fmt.Println("goroutines:", runtime.NumGoroutine())

	var wg sync.WaitGroup
	block := make(chan struct{})
	for range 3 {
		wg.Add(1)
		go func() {
			wg.Done()
			<-block
		}()
	}
	wg.Wait()
	fmt.Println("goroutines:", runtime.NumGoroutine())
	close(block)
}
