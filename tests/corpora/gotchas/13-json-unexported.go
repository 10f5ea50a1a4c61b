package main

import (
	"encoding/json"
	"fmt"
)

type User struct {
	Name     string
	age      int
	Email    string `json:"email,omitempty"`
	Password string `json:"-"`
}

func main() {
	u := User{Name: "ann", age: 30, Password: "hunter2"}
	b, _ := json.Marshal(u)
	fmt.Println(string(b)) //prints: {"Name":"ann"}

	var v User
	err := json.Unmarshal([]byte(`{"Name":"bob","age":41}`), &v)
	fmt.Println(v.Name, v.age, err) //prints: bob 0 <nil>

	var nilSlice []int
	b, _ = json.Marshal(nilSlice)
	fmt.Println(string(b)) //prints: null
	b, _ = json.Marshal([]int{})
	fmt.Println(string(b)) //prints: []
}
