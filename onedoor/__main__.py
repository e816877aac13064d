from onedoor.cli import main

main()
