print("parc")
