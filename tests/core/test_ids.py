"""Public ids: readable alphabet, prefixes, and a check character that catches typos."""

from hypothesis import given
from hypothesis import strategies as st

from core.ids import ALPHABET, is_id, new_id, normalize


def test_an_id_has_its_prefix_and_only_readable_characters():
    public_id = new_id("R", 10)
    assert public_id[0] == "R" and len(public_id) == 11
    assert set(public_id[1:]) <= set(ALPHABET)
    assert not set("ILOU") & set(ALPHABET)
    assert is_id(public_id, "R", 10)


def test_what_a_person_types_is_read_back():
    assert normalize(" r7k3-m9q2 xa ") == "R7K3M9Q2XA"
    assert normalize("ROl") == "R01"


@given(st.integers(min_value=1, max_value=9), st.data())
def test_one_wrong_character_fails_the_check(position, data):
    public_id = new_id("C", 9, check=True)
    assert is_id(public_id, "C", 9, check=True)
    wrong = data.draw(st.sampled_from([c for c in ALPHABET if c != public_id[position]]))
    typo = public_id[:position] + wrong + public_id[position + 1:]
    assert not is_id(typo, "C", 9, check=True)


def test_swapping_two_neighbours_fails_the_check():
    caught = tried = 0
    for _ in range(200):
        public_id = new_id("C", 9, check=True)
        a, b = public_id[3], public_id[4]
        if a == b:
            continue
        swapped = public_id[:3] + b + a + public_id[5:]
        tried += 1
        caught += not is_id(swapped, "C", 9, check=True)
    assert caught >= 0.95 * tried  # Luhn mod 32 misses only the pair of 0 and V (0 <-> 31)
