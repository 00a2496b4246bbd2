package main

import (
	"os"

	"github.com/commercectl/commercectl/cmd"
)

func main() { os.Exit(cmd.Main()) }
