from flask import Blueprint

bp = Blueprint("events_public", __name__, url_prefix="/report")
