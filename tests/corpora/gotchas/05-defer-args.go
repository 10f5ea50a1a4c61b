package main

import "fmt"

func main() {
	i := 1
	defer fmt.Println("deferred:", i) //prints: deferred: 1
	defer func() {
		fmt.Println("closure:", i) //prints: closure: 2
	}()
	i = 2
	fmt.Println("now:", i) //prints: now: 2
}
