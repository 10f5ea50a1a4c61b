package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println(5 * time.Second) //prints: 5s

	n := 3
	fmt.Println(time.Duration(n) * time.Second) //prints: 3s
	fmt.Println(time.Duration(n))               //prints: 3ns

	timeout := 2 * time.Minute
	fmt.Println(timeout * time.Second)   //prints: -2535335h41m55.966861312s
	fmt.Println(timeout.Seconds())       //prints: 120
	fmt.Println(1500 * time.Millisecond) //prints: 1.5s
}
