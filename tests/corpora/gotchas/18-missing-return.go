package main

import "fmt"

func sign(n int) string {
	if n < 0 {
		return "negative"
	} else if n > 0 {
		return "positive"
	} else if n == 0 {
		return "zero"
	}
} //error: missing return

func main() {
	fmt.Println(sign(3))
}
