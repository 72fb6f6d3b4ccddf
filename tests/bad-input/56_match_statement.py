import pyro


def model(kind):
    match kind:
        case "a":
            pass
