from careverse.cli import app

app(prog_name="careverse")
