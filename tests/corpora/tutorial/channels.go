// _Channels_ are the pipes that connect concurrent
// goroutines. Sends and receives block until both sides
// are ready, which makes the order below deterministic.
package main

import "fmt"

func main() {
	messages := make(chan string)

	go func() { messages <- "ping" }()

	msg := <-messages
	fmt.Println(msg)

	results := make(chan int)
	go func() {
		for i := 1; i <= 4; i++ {
			results <- i * i
		}
		close(results)
	}()
	for r := range results {
		fmt.Println("square:", r)
	}
}
