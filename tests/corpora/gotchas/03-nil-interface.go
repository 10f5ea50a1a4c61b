package main

import (
	"errors"
	"fmt"
)

type MyErr struct{}

func (*MyErr) Error() string { return "my error" }

func find(fail bool) error {
	var p *MyErr = nil
	if fail {
		p = &MyErr{}
	}
	return p // a nil *MyErr wrapped in a non-nil error interface
}

func main() {
	err := find(false)
	fmt.Println(err == nil)                          //prints: false
	fmt.Printf("%T %v\n", err, err == (*MyErr)(nil)) //prints: *main.MyErr true

	var e error
	fmt.Println(e == nil) //prints: true

	var target *MyErr
	fmt.Println(errors.As(err, &target)) //prints: true
}
