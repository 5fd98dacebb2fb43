from capwatch.cli import main

main()
