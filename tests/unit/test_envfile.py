import pytest

from flyte_parity.base.envfile import load_env_file, parse_env_text
from flyte_parity.base.errors import UsageError


def test_assignments_comments_export_and_quotes():
    text = """
# a comment
FLYTE_PLATFORM_URL=flyte.example.org:443
export FLYTE_PLATFORM_INSECURE = True
FLYTE_STAGING_LOCATION="s3://bucket/with space"
FLYTE_INTERNAL_IMAGE='img:1'   
PLAIN=value # trailing comment
HASH_IN_QUOTES="a # b"
EMPTY=
"""
    assert parse_env_text(text, "f") == {
        "FLYTE_PLATFORM_URL": "flyte.example.org:443",
        "FLYTE_PLATFORM_INSECURE": "True",
        "FLYTE_STAGING_LOCATION": "s3://bucket/with space",
        "FLYTE_INTERNAL_IMAGE": "img:1",
        "PLAIN": "value",
        "HASH_IN_QUOTES": "a # b",
        "EMPTY": "",
    }


def test_later_assignment_wins():
    assert parse_env_text("A=1\nA=2\n", "f") == {"A": "2"}


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("A=1\nnot an assignment\n", 2, "not a KEY=VALUE line"),
        ("1BAD=x\n", 1, "not a KEY=VALUE line"),
        ("# c\n\nSECRET_TOKEN=\"hunter2\n", 3, "unterminated"),
    ],
)
def test_syntax_error_names_file_and_line_but_not_the_content(text, line, words):
    with pytest.raises(UsageError) as err:
        parse_env_text(text, ".env.local")
    message = str(err.value)
    assert message.startswith(f".env.local:{line}: ") and words in message
    assert "hunter2" not in message and "\n" not in message


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="cannot read env file"):
        load_env_file(tmp_path / "absent.env")
