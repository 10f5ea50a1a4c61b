package main

import (
	"fmt"
	"strconv"
)

func main() {
	n := 65
	fmt.Println(string(rune(n)))      //prints: A
	fmt.Println(strconv.Itoa(n))      //prints: 65
	fmt.Println(fmt.Sprint(n))        //prints: 65
	fmt.Println("n=" + fmt.Sprint(n)) //prints: n=65
	fmt.Println('a' + 1)              //prints: 98
	fmt.Println(string('a' + 1))      //prints: b
}
