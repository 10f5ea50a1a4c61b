package main

import (
	"fmt"
	"os" //error: "os" imported and not used
)

func main() {
	fmt.Println("hello")
}
