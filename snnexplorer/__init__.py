"""SNN Explorer: accuracy, energy, latency and memory of spiking neural networks on a modelled memory hierarchy.

The layers, bottom up (each imports only those below it): ``errors``,
``sections``, ``hardware_schema``, ``shipped``, ``presets``, ``design``,
``data`` → ``sim``, ``hardware``, ``train``, ``stdp``, ``inference`` →
``pipeline`` → ``explore`` → ``ui``, ``cli``.
"""

__version__ = "0.1.0"
