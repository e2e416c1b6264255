import json

from layers import Scale, Shift, compose

ys = compose([1.0, 2.0, 3.0], [Scale(2.0), Shift(1.0)])
print(json.dumps({"total": sum(ys)}))
