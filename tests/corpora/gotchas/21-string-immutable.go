package main

import "fmt"

func main() {
	s := "hello"
	s[0] = 'H' //error: cannot assign to s[0] (neither addressable nor a map index expression)
	fmt.Println(s)
}
