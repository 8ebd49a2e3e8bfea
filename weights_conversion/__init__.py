"""Reproducible converters that make keras-i3d's weights files.

The scripts import the package; the package never imports them.
"""
