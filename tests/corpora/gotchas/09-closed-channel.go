package main

import "fmt"

func main() {
	ch := make(chan int, 2)
	ch <- 1
	close(ch)

	v, ok := <-ch
	fmt.Println(v, ok) //prints: 1 true
	v, ok = <-ch
	fmt.Println(v, ok) //prints: 0 false
	fmt.Println(<-ch)  //prints: 0

	ch <- 2 //panics: send on closed channel
	fmt.Println("unreachable")
}
