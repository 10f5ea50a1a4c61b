// By default channels are _unbuffered_. _Buffered channels_
// accept a limited number of values without a
// corresponding receiver for those values.
package main

import "fmt"

func main() {
	messages := make(chan string, 2)

	messages <- "buffered"
	messages <- "channel"

	fmt.Println(len(messages), cap(messages))
	fmt.Println(<-messages)
	fmt.Println(<-messages)
}
