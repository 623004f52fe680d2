#!/usr/bin/python3
"""Filled in next."""
import unittest

if __name__ == "__main__":
    unittest.main(verbosity=2)
