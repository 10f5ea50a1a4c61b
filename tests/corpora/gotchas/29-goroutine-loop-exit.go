package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	for i := 1; i <= 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			total += i // each iteration has its own i (Go 1.22+)
			mu.Unlock()
		}()
	}
	wg.Wait()          // without this, main may exit before any goroutine runs
	fmt.Println(total) //prints: 10
}
