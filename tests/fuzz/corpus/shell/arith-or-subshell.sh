((case x in x) echo RAN;; esac))
