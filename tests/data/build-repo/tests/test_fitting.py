from fitting import fit_line


def test_fit_line_recovers_a_line():
    xs = [0.0, 1.0, 2.0, 3.0]
    slope, intercept = fit_line(xs, [1 + 2 * x for x in xs])
    assert abs(slope - 2) < 1e-12 and abs(intercept - 1) < 1e-12
